using System.CommandLine;
using PeerActors.Node.Commands;

var root = new RootCommand("peeractors: the PeerActors node (peer reputation and resource limits on Akka.NET).");
root.Add(RunCommand.Create());
root.Add(ReplayCommand.Create());
root.Add(EvaluateCommand.Create());

// The host's console lifetime handles Ctrl+C / SIGTERM (graceful CoordinatedShutdown); System.CommandLine must not.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
