using Celeriac.AspNetCore.Api;

namespace Celeriac.Dashboard.Live;

/// <summary>The <c>tasks</c> push: which tasks changed, with their records when few did.</summary>
/// <param name="Ids">The changed tasks.</param>
/// <param name="Records">Their records now (empty when <paramref name="More"/>).</param>
/// <param name="More">True when so many changed that pages should refetch their page instead.</param>
internal sealed record TaskChangesView(IReadOnlyList<string> Ids, IReadOnlyList<TaskView> Records, bool More);
