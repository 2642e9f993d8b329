using System.Globalization;
using Celeriac.Core.Records;
using Celeriac.Records.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Celeriac.Sqlite.Tests.Support;

/// <summary>
/// The second process of the cross-process test: <c>dotnet exec Celeriac.Sqlite.Tests.dll write-records PATH
/// SHARED-ID COUNT PREFIX</c>. It opens the file, prints <c>ready</c>, waits for <c>go</c> on stdin, then applies
/// COUNT starts to SHARED-ID and creates COUNT records PREFIX0.., all in parallel, and prints the version each
/// start produced. The test host never calls this; it loads the assembly as a library.
/// </summary>
internal static class WriterProcess
{
    public const string Command = "write-records";

    public static async Task<int> Main(string[] args)
    {
        if (args is not [Command, var path, var sharedId, var countText, var prefix])
        {
            await Console.Error.WriteLineAsync($"usage: {Command} PATH SHARED-ID COUNT PREFIX");
            return 2;
        }

        var count = int.Parse(countText, CultureInfo.InvariantCulture);
        await using var store = new SqliteTaskStore(Options.Create(new SqliteTaskStoreOptions { FilePath = path }),
            NullLogger<SqliteTaskStore>.Instance, TimeProvider.System);
        await store.GetAsync(sharedId, default);
        Console.WriteLine("ready");
        if (await Console.In.ReadLineAsync() != "go")
        {
            return 3;
        }

        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            var started = await store.ApplyAsync(sharedId, new TaskStarted(Tasks.At(1000 + i), $"child@{i}"), default);
            var created = await store.ApplyAsync(prefix + i.ToString(CultureInfo.InvariantCulture), Tasks.Received(i, "child"), default);
            return (started, created);
        })));

        foreach (var (started, created) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(started.WasApplied && created.WasApplied ? "applied" : "ignored")} {started.Record?.Version}"));
        }

        Console.WriteLine("done");
        return 0;
    }
}
