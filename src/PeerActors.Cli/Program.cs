using PeerActors.Cli;

return await PeerCtl.RunAsync(args, Console.Out, Console.Error);
