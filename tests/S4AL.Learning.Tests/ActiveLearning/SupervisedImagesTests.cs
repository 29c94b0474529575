using S4AL.Domain;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data.Regions;

namespace S4AL.Learning.Tests.ActiveLearning;

/// <summary>Which pool images the supervised loss draws its batches from, per mode and setting.</summary>
public class SupervisedImagesTests
{
    // Six 16x16 images in 8x8 regions: 0 and 1 fully labeled, 3 and 5 with one acquired region each.
    static readonly LabeledRegionSet Labeled = LabeledRegionSet.Empty(6, new RegionGrid(16, 16, 8))
        .WithFullyLabeled([0, 1])
        .WithRegions([new RegionId(3, 2), new RegionId(5, 0)]);

    [Fact]
    public void S4al_as_the_authors_code_runs_it_draws_only_the_fully_labeled_images()
    {
        var settings = ActiveLearningSettings.Authors;
        Assert.False(settings.SupervisedOnAcquiredRegions);
        Assert.Equal([0, 1], CycleTrainingRun.SupervisedImages(6, settings, Labeled));
    }

    [Fact]
    public void S4al_by_default_draws_what_the_supervised_baseline_draws_acquired_regions_included()
    {
        var settings = new ActiveLearningSettings();
        Assert.True(settings.SupervisedOnAcquiredRegions);
        var regions = CycleTrainingRun.SupervisedImages(6, settings, Labeled);
        var baseline = CycleTrainingRun.SupervisedImages(6, new ActiveLearningSettings { Mode = TrainingMode.SupervisedOnly }, Labeled);
        Assert.Equal([0, 1, 3, 5], regions);
        Assert.Equal(baseline, regions);
    }

    [Fact]
    public void Full_supervision_ignores_the_setting()
    {
        var settings = new ActiveLearningSettings { Mode = TrainingMode.FullySupervised, SupervisedOnAcquiredRegions = true };
        Assert.Equal([0, 1], CycleTrainingRun.SupervisedImages(6, settings, Labeled));
    }
}
