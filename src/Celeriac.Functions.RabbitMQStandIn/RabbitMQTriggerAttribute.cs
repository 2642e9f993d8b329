using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Microsoft.Azure.Functions.Worker;

/// <summary>
/// Triggers a function for each message on a RabbitMQ queue. A stand-in with the shape of the real attribute in
/// Microsoft.Azure.Functions.Worker.Extensions.RabbitMQ 2.1.0 (namespace, base type, constructor parameter and
/// property names), so the Functions SDK writes the same <c>rabbitMQTrigger</c> binding into functions.metadata.
/// </summary>
/// <remarks>
/// The host-side extension 2.x reads only <see cref="QueueName"/>, <see cref="ConnectionStringSetting"/> and
/// <see cref="DisableCertificateValidation"/>; the other properties are kept because the real attribute has them.
/// </remarks>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class RabbitMQTriggerAttribute : TriggerBindingAttribute
{
    /// <summary>Triggers on <paramref name="queueName"/>, connecting with <see cref="ConnectionStringSetting"/>.</summary>
    public RabbitMQTriggerAttribute(string queueName) => QueueName = queueName;

    /// <summary>The version 1 form: host, setting names for the credentials, port and queue.</summary>
    public RabbitMQTriggerAttribute(string hostName, string userNameSetting, string passwordSetting, int port, string queueName)
    {
        HostName = hostName;
        UserNameSetting = userNameSetting;
        PasswordSetting = passwordSetting;
        Port = port;
        QueueName = queueName;
    }

    /// <summary>The name of the app setting that holds the AMQP URI.</summary>
    public string? ConnectionStringSetting { get; set; }

    /// <summary>The broker host (version 1 extensions only).</summary>
    public string? HostName { get; set; }

    /// <summary>The queue to consume; it must exist (the listener declares it passively).</summary>
    public string QueueName { get; }

    /// <summary>The app setting with the user name (version 1 extensions only).</summary>
    public string? UserNameSetting { get; set; }

    /// <summary>The app setting with the password (version 1 extensions only).</summary>
    public string? PasswordSetting { get; set; }

    /// <summary>The broker port (version 1 extensions only).</summary>
    public int Port { get; set; }

    /// <summary>Accepts any server certificate (amqps only; never in production).</summary>
    public bool DisableCertificateValidation { get; set; }
}
