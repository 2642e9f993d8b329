using Celeriac.Core.Execution;
using Celeriac.Core.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Celeriac.Core.DependencyInjection;

/// <summary>Fails the start of a worker whose setup is incomplete, naming the call that is missing.</summary>
internal sealed class WorkerSetupValidator(IServiceProviderIsService services) : IValidateOptions<WorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerOptions options) =>
        services.IsService(typeof(IMessagePublisher)) && services.IsService(typeof(IParkingLot)) && services.IsService(typeof(ITaskDeferral))
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("AddWorker() needs a transport to publish results, park bad messages and defer far-off ETAs: call UseRabbitMq(...) too.");
}
