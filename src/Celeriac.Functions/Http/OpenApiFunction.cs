using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Celeriac.Functions.Http;

/// <summary><c>GET /openapi/v1.json</c>, as <c>celeriac serve</c> answers it.</summary>
internal sealed class OpenApiFunction(OpenApiDocumentSource document)
{
    [Function("OpenApiDocument")]
    public async Task<IResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi/v1.json")] HttpRequest request) =>
        Results.Text(await document.GetAsync(), "application/json");
}
