using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Celeriac.RabbitMQ.Tests;

public sealed class RabbitMqOptionsConfigurationTests
{
    [Fact]
    public void UseRabbitMq_ConfigurationSection_BindsCeleriacRabbitMq()
    {
        using var services = Build(new()
        {
            ["Celeriac:RabbitMq:Url"] = "amqp://shop:pw@broker.internal:5673/shop",
            ["Celeriac:RabbitMq:ClientName"] = "shop-api",
            ["Celeriac:RabbitMq:PublishTimeout"] = "00:00:09",
            ["Celeriac:RabbitMq:ConnectTimeout"] = "00:00:06",
        });

        var options = services.GetRequiredService<IOptions<RabbitMqOptions>>().Value;

        Assert.Equal(("amqp://shop:pw@broker.internal:5673/shop", "shop-api", TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(6)),
            (options.Url, options.ClientName, options.PublishTimeout, options.ConnectTimeout));
    }

    [Fact]
    public void UseRabbitMq_UrlSetInCode_WinsOverConfiguration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Celeriac:RabbitMq:Url"] = "amqp://guest:guest@configured:5672/",
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddCeleriac(configuration.GetSection("Celeriac"))
            .UseRabbitMq(o => o.Url = "amqp://guest:guest@code:5672/").Services.BuildServiceProvider();

        Assert.Equal("amqp://guest:guest@code:5672/", services.GetRequiredService<IOptions<RabbitMqOptions>>().Value.Url);
    }

    [Fact]
    public void Start_InvalidConfiguredValues_FailsNamingEachKeyWithThePasswordMasked()
    {
        using var services = Build(new()
        {
            ["Celeriac:RabbitMq:Url"] = "http://admin:S3cretPass@broker:5672/",
            ["Celeriac:RabbitMq:PublishTimeout"] = "00:00:00",
            ["Celeriac:RabbitMq:ConnectTimeout"] = "-00:00:01",
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(
            [
                "RabbitMqOptions.Url (Celeriac:RabbitMq:Url) must be an absolute amqp:// or amqps:// URL (was 'http://admin:**@broker:5672/').",
                "RabbitMqOptions.PublishTimeout (Celeriac:RabbitMq:PublishTimeout) must be positive (was 00:00:00).",
                "RabbitMqOptions.ConnectTimeout (Celeriac:RabbitMq:ConnectTimeout) must be positive, or unset to keep trying (was -00:00:01).",
            ],
            error.Failures);
        Assert.DoesNotContain("S3cretPass", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new ServiceCollection().AddLogging().AddCeleriac(configuration.GetSection("Celeriac")).UseRabbitMq().Services.BuildServiceProvider();
    }
}
