using System.Collections.Concurrent;

namespace Celeriac.Core.Tests.Fakes;

/// <summary>
/// One ordered record of what the fakes saw (publishes, acks, rejects, parks), shared between them so a
/// test can assert the order of effects across seams, e.g. "the result was published before the ack".
/// </summary>
public sealed class EventLog
{
    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyList<string> Entries => _entries.ToArray();

    public void Add(string entry) => _entries.Enqueue(entry);

    /// <summary>The position of the first entry matching, or -1.</summary>
    public int IndexOf(Func<string, bool> match)
    {
        var entries = Entries;
        for (var i = 0; i < entries.Count; i++)
        {
            if (match(entries[i]))
            {
                return i;
            }
        }

        return -1;
    }

    public override string ToString() => string.Join(Environment.NewLine, Entries);
}
