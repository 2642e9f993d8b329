using System.Text.Json;
using Celeriac.Core.Records;

namespace Celeriac.AspNetCore.Api;

/// <summary>
/// A page of task views bounded in bytes as well as in rows: the store is read in small batches (so a page of 500
/// records with megabyte arguments is never in memory at once), every view is a <see cref="TaskView.Summary"/>, and the
/// page ends early, with a cursor to the rest, once its JSON would pass <see cref="TaskApiOptions.MaxListBytes"/>.
/// </summary>
internal static class TaskListing
{
    /// <summary>Records read from the store at a time.</summary>
    public const int BatchSize = 25;

    public static async Task<TaskListView> ReadAsync(ITaskStore store, TaskRecordQuery query, TaskApiOptions options, CancellationToken cancellationToken)
    {
        var views = new List<TaskView>();
        var bytes = 32L; // {"items":[],"nextCursor":"..."} around the items
        var remaining = query.Limit;
        var cursor = query.Cursor;
        while (true)
        {
            var batch = await store.QueryAsync(query with { Limit = Math.Min(remaining, BatchSize), Cursor = cursor }, cancellationToken);
            foreach (var record in batch.Items)
            {
                var view = TaskView.Summary(record, options.MaxListValueBytes);
                var size = JsonSerializer.SerializeToUtf8Bytes(view, ApiJson.Options).Length + 1;
                if (views.Count > 0 && bytes + size > options.MaxListBytes)
                {
                    // Continues right after the last record sent; the one that did not fit opens the next page.
                    return new TaskListView(views, cursor);
                }

                views.Add(view);
                bytes += size;
                cursor = TaskRecordCursor.After(record).ToString();
            }

            remaining -= batch.Items.Count;
            if (batch.NextCursor is null || remaining <= 0 || batch.Items.Count == 0)
            {
                return new TaskListView(views, batch.NextCursor);
            }

            cursor = batch.NextCursor;
        }
    }
}
