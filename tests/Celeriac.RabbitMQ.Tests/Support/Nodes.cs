namespace Celeriac.RabbitMQ.Tests.Support;

/// <summary>Node names for workers a test starts: unique, and without <c>%h</c> so events and replies can be matched exactly.</summary>
public static class Nodes
{
    public static string New(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}@test";
}
