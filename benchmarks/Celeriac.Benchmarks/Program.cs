using System.Globalization;
using Celeriac.Benchmarks;

// Benchmarks that print numbers (dotnet run -c Release --project benchmarks/Celeriac.Benchmarks -- MODE). Modes:
//   store [--seconds N] [--dir PATH]   cost per task of the store's four writes, by store and concurrency
var mode = args.FirstOrDefault();
switch (mode)
{
    case "store":
        var seconds = Option(args, "--seconds", 2.0);
        var directory = args.SkipWhile(a => a != "--dir").Skip(1).FirstOrDefault() ?? Path.Combine(Path.GetTempPath(), "celeriac-bench");
        await StoreBenchmark.RunAsync(TimeSpan.FromSeconds(seconds), directory);
        return 0;
    default:
        Console.Error.WriteLine("usage: Celeriac.Benchmarks store [--seconds 2] [--dir PATH]");
        return 2;
}

static double Option(string[] args, string name, double fallback)
{
    var value = args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
    return value is null ? fallback : double.Parse(value, CultureInfo.InvariantCulture);
}
