namespace Celeriac.Core.Records;

/// <summary>Chord counts in memory, under one lock: for tests and a single worker process (lost on restart).</summary>
public sealed class InMemoryChordCounter : IChordCounter
{
    private readonly Dictionary<string, Chord> _chords = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public ValueTask<ChordTally> CountPartAsync(ChordPart part, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(part);
        lock (_lock)
        {
            if (!_chords.TryGetValue(part.GroupId, out var chord))
            {
                chord = new Chord(part.Size);
                _chords[part.GroupId] = chord;
            }

            if (chord.Parts.TryAdd(part.TaskId, part) && chord.Completer is null && chord.Parts.Count >= chord.Size)
            {
                chord.Completer = part.TaskId;
            }

            var sendBody = !chord.BodySent && chord.Completer == part.TaskId;
            var parts = sendBody ? chord.Parts.Values.OrderBy(p => p.Index).ToArray() : [];
            return ValueTask.FromResult(new ChordTally(chord.Parts.Count, chord.Size, sendBody, parts));
        }
    }

    /// <inheritdoc />
    public ValueTask MarkBodySentAsync(string groupId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_chords.TryGetValue(groupId, out var chord))
            {
                chord.BodySent = true;
            }
        }

        return ValueTask.CompletedTask;
    }

    private sealed class Chord(int size)
    {
        public int Size { get; } = size;

        public Dictionary<string, ChordPart> Parts { get; } = new(StringComparer.Ordinal);

        public string? Completer { get; set; }

        public bool BodySent { get; set; }
    }
}
