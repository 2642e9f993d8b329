namespace Celeriac.Core.Control;

/// <summary>Tells remote control how the worker reaches its broker; the transport implements it.</summary>
public interface IBrokerInfo
{
    /// <summary>The connection's settings, without secrets.</summary>
    BrokerConnectionInfo Describe();
}
