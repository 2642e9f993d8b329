using System.Security.Cryptography;
using System.Text;

namespace Celeriac.Core.Execution.Workflow;

/// <summary>
/// Ids for the tasks a workflow step sends when the signature carries none (a <c>link=</c> Python did not freeze).
/// Celery draws a new uuid4 each time; these are derived from the parent's id and the signature's place, so a
/// redelivered parent that sends its continuation again sends it under the same id, and the duplicate is the same
/// task (one record, one id in events) rather than a second one.
/// </summary>
internal static class WorkflowIds
{
    /// <summary>A UUID (version 8, name-based) for the signature at <paramref name="slot"/> after task <paramref name="parentId"/>.</summary>
    public static string Derive(string parentId, string slot)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"celeriac-workflow\n{parentId}\n{slot}"), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString("D");
    }
}
