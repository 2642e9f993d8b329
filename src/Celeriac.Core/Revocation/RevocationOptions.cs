namespace Celeriac.Core.Revocation;

/// <summary>How long and how many revokes a worker remembers.</summary>
public sealed class RevocationOptions
{
    /// <summary>At most this many ids are kept; the oldest go first (Celery keeps 50,000).</summary>
    public int MaxEntries { get; set; } = 50_000;

    /// <summary>
    /// Revokes older than this are forgotten. Celery forgets after 3 hours; a week covers tasks with a
    /// far ETA and workers that were down for a weekend.
    /// </summary>
    public TimeSpan RetainFor { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Where revokes are kept; an explicit choice wins over the default whatever the order of the calls that configure Celeriac.</summary>
    public RevocationSource Source { get; set; } = RevocationSource.Automatic;
}
