using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Celeriac.Core.Execution;

/// <summary>
/// How many times a task's message was delivered without finishing, kept on disk so that it survives the worker process:
/// a message whose task crashes the process (a native crash, <c>Environment.FailFast</c>, the OOM killer) comes back
/// redelivered again and again, and classic queues keep no count of deliveries (quorum queues' <c>x-delivery-count</c> is
/// not available on Celery's queues). Only redelivered messages are counted, so a first delivery costs nothing; the count
/// is forgotten once the task's delivery is settled.
/// </summary>
/// <remarks>
/// One small file per task id under <c>{state directory}/deliveries</c>, written and flushed to disk before the task runs.
/// Workers sharing a state directory share the counts; workers on other machines count apart, so a message that crashes
/// every worker is parked after at most <see cref="WorkerOptions.MaxDeliveries"/> deliveries per machine.
/// </remarks>
internal sealed class DeliveryCounter(string stateDirectory)
{
    private readonly string _directory = Path.Combine(stateDirectory, "deliveries");

    /// <summary>Counts one more delivery of a redelivered message and returns the deliveries so far (2 the first time: the first was not counted).</summary>
    public int CountRedelivery(string taskId)
    {
        Directory.CreateDirectory(_directory);
        var path = PathOf(taskId);
        var count = 1;
        try
        {
            if (int.TryParse(File.ReadAllText(path), NumberStyles.None, CultureInfo.InvariantCulture, out var known))
            {
                count = known;
            }
        }
        catch (FileNotFoundException)
        {
        }

        count++;
        // Flushed through to the disk: the process may die in the next instant, which is the case this exists for.
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(Encoding.ASCII.GetBytes(count.ToString(CultureInfo.InvariantCulture)));
            file.Flush(flushToDisk: true);
        }

        return count;
    }

    /// <summary>Forgets a task's count (its delivery was settled).</summary>
    public void Forget(string taskId)
    {
        try
        {
            File.Delete(PathOf(taskId));
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    // Task ids are any text: the file is named by a hash of the id.
    private string PathOf(string taskId) =>
        Path.Combine(_directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(taskId)))[..32]);
}
