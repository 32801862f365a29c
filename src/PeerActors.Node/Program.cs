using PeerActors.Node.Commands;

return await NodeCli.InvokeAsync(args);
