namespace Celeriac.Functions.Tests.Support;

/// <summary>The tests that share one running Functions app (one worker, one trigger: they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class FunctionsAppCollection : ICollectionFixture<FunctionsAppFixture>
{
    public const string Name = "Functions app";
}
