using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Celeriac.RabbitMQ.Connection;

/// <summary>Closing channels at shutdown, when the connection may already be gone.</summary>
internal static class ChannelClosing
{
    /// <summary>Closes the channel if it is open and disposes it; a connection that is already gone is no error here.</summary>
    public static async Task CloseQuietlyAsync(this IChannel channel)
    {
        try
        {
            if (channel.IsOpen)
            {
                await channel.CloseAsync();
            }
        }
        catch (Exception ex) when (IsConnectionGone(ex))
        {
            // Nothing to close: the broker has already taken back whatever the channel held.
        }

        channel.Dispose();
    }

    /// <summary>True for the errors a closed or broken connection raises.</summary>
    public static bool IsConnectionGone(Exception exception) =>
        exception is AlreadyClosedException or IOException or OperationCanceledException;
}
