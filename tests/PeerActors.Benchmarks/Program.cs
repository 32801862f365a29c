using System.Reflection;
using PeerActors.Benchmarks.Harness;

// Usage (shared/BENCHMARKS.md): dotnet run -c Release --project tests/PeerActors.Benchmarks -- <suite> [--quick] [suite args]
var suites = typeof(IBenchmarkSuite).Assembly.GetTypes()
    .Where(t => typeof(IBenchmarkSuite).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmarkSuite)Activator.CreateInstance(t)!)
    .OrderBy(s => s.Name, StringComparer.Ordinal)
    .ToList();

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: PeerActors.Benchmarks <suite> [--quick] [args]");
    foreach (var s in suites) Console.WriteLine($"  {s.Name,-12} {s.Description}");
    return args.Length == 0 ? 2 : 0;
}

var suite = suites.FirstOrDefault(s => s.Name == args[0]);
if (suite is null)
{
    Console.Error.WriteLine($"unknown suite '{args[0]}'; known: {string.Join(", ", suites.Select(s => s.Name))}");
    return 2;
}

var rest = args.Skip(1).ToList();
var quick = rest.Remove("--quick");
#if DEBUG
Console.Error.WriteLine("warning: Debug build; run with -c Release for meaningful figures");
#endif
await suite.RunAsync(new BenchmarkOptions(quick, rest), new ResultReporter(Console.Out));
return 0;
