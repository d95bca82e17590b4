namespace KernelDigest.Bot.Tests;

/// <summary>
/// Test classes that must not share the machine or the process with other tests while they run (each says why): xunit
/// runs this collection after the parallel ones, one class at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Runs alone";
}
