using Celeriac.AspNetCore.Api;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Celeriac.AspNetCore.Tests;

public sealed class TaskApiOptionsConfigurationTests
{
    [Fact]
    public void AddHttpApi_ConfigurationSection_BindsCeleriacHttp()
    {
        using var services = Build(new()
        {
            ["Celeriac:Http:Queue"] = "shop",
            ["Celeriac:Http:MaxBodyBytes"] = "2048",
            ["Celeriac:Http:RetryAfterSeconds"] = "3",
            ["Celeriac:Http:ApiKeys:0"] = "key-one",
            ["Celeriac:Http:ApiKeys:1"] = "key-two",
        });

        var options = services.GetRequiredService<IOptions<TaskApiOptions>>().Value;

        Assert.Equal(("shop", 2048, 3), (options.Queue, options.MaxBodyBytes, options.RetryAfterSeconds));
        Assert.Equal(["key-one", "key-two"], options.ApiKeys);
    }

    [Fact]
    public void AddHttpApi_ApiKeysAsOneCommaSeparatedValue_AreEachAccepted()
    {
        using var services = Build(new() { ["Celeriac:Http:ApiKeys"] = "key-one, key-two" });

        Assert.Equal(["key-one", "key-two"], services.GetRequiredService<IOptions<TaskApiOptions>>().Value.ApiKeys);
    }

    [Fact]
    public void AddHttpApi_OptionsSetInCode_AreAppliedAfterConfiguration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Celeriac:Http:Queue"] = "shop",
            ["Celeriac:Http:ApiKeys:0"] = "from-config",
        }).Build();
        using var services = new ServiceCollection().AddCeleriac(configuration.GetSection("Celeriac"))
            .AddHttpApi(o => { o.Queue = "billing"; o.ApiKeys.Add("from-code"); }).Services.BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<TaskApiOptions>>().Value;

        Assert.Equal("billing", options.Queue);
        Assert.Equal(["from-config", "from-code"], options.ApiKeys);
    }

    [Fact]
    public void Start_InvalidConfiguredValues_FailsNamingEachKeyButNoKey()
    {
        using var services = Build(new()
        {
            ["Celeriac:Http:Queue"] = " ",
            ["Celeriac:Http:MaxBodyBytes"] = "0",
            ["Celeriac:Http:RetryAfterSeconds"] = "-1",
            ["Celeriac:Http:ApiKeys:0"] = "secret-key",
            ["Celeriac:Http:ApiKeys:1"] = "",
            ["Celeriac:Http:CorsOrigins"] = "https://ok.example.com, *, https://app.example.com/path",
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(
            [
                "TaskApiOptions.Queue (Celeriac:Http:Queue) must name a queue.",
                "TaskApiOptions.MaxBodyBytes (Celeriac:Http:MaxBodyBytes) must be positive (was 0).",
                "TaskApiOptions.RetryAfterSeconds (Celeriac:Http:RetryAfterSeconds) must not be negative (was -1).",
                "TaskApiOptions.ApiKeys (Celeriac:Http:ApiKeys) must not contain an empty key.",
                "TaskApiOptions.CorsOrigins (Celeriac:Http:CorsOrigins) must hold origins such as https://app.example.com, without a path (was '*').",
                "TaskApiOptions.CorsOrigins (Celeriac:Http:CorsOrigins) must hold origins such as https://app.example.com, without a path (was 'https://app.example.com/path').",
            ],
            error.Failures);
        Assert.DoesNotContain("secret-key", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new ServiceCollection().AddCeleriac(configuration.GetSection("Celeriac")).AddHttpApi().Services.BuildServiceProvider();
    }
}
