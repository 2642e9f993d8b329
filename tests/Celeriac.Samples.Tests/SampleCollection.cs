namespace Celeriac.Samples.Tests;

/// <summary>The tests that share one pack and one build of the sample per run.</summary>
[CollectionDefinition(Name)]
public sealed class SampleCollection : ICollectionFixture<SamplePackages>
{
    public const string Name = "sample packages";
}
