using Celeriac.Core.Protocol;
using Celeriac.Core.Tasks;

namespace SampleApp;

/// <summary>The shop's background tasks. Python calls them by name: <c>app.send_task('shop.send_invoice', ('A-1001', 42.5))</c>.</summary>
public sealed partial class ShopTasks(InvoiceNumbers numbers, ILogger<ShopTasks> logger)
{
    /// <summary>Issues the invoice of an order and "sends" it; the result is what the caller gets back.</summary>
    [CeleryTask("shop.send_invoice", TimeLimit = 60)]
    public async Task<Invoice> SendInvoiceAsync(string orderId, decimal amount, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        if (amount <= 0)
        {
            throw new CeleryException("ValueError", $"amount must be positive, not {amount}");
        }

        var number = numbers.Next(orderId);
        await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);   // stands in for the mail server
        LogInvoiceSent(logger, number, orderId);
        return new Invoice(orderId, number, amount);
    }

    [LoggerMessage(1, LogLevel.Information, "Invoice {Number} for order {OrderId} sent")]
    private static partial void LogInvoiceSent(ILogger logger, string number, string orderId);
}

/// <summary>An issued invoice.</summary>
public sealed record Invoice(string OrderId, string Number, decimal Amount);

/// <summary>A service the task gets from dependency injection.</summary>
public sealed class InvoiceNumbers
{
    private int _last;

    /// <summary>The next invoice number for an order.</summary>
    public string Next(string orderId) => $"INV-{orderId}-{Interlocked.Increment(ref _last):D4}";
}
