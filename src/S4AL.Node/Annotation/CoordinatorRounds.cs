using Akka.Actor;
using S4AL.Actors.Workspace;
using S4AL.Annotation;
using S4AL.Annotation.Web;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using S4AL.Learning.Data.Images;
using S4AL.Node.Runs;
using static S4AL.Domain.Protocols.CoordinatorProtocol;
using static TorchSharp.torch;

namespace S4AL.Node.Annotation;

/// <summary>
/// The annotation page's view of an experiment, over the coordinator: the round comes from a copy
/// of the experiment's state that <see cref="AnnotationFollowerActor"/> keeps current; a label goes
/// the way `s4al import` sends it (the label store first, then <see cref="SubmitLabel"/>, answered
/// once the journal holds it). The current model predicts the round's images once per round, off
/// the request that first needs it, as `s4al export` does (<see cref="CycleQueries"/>).
/// </summary>
public sealed class CoordinatorRounds(IActorRef coordinator, DatasetCache datasets, Device predictOn) : IAnnotationRounds
{
    static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    readonly object _gate = new();
    ExperimentState? _state;
    string _situation = "waiting for the coordinator";
    (ExperimentState State, RoundSituation Round)? _built;
    (string Key, Task<AnnotationQueries> Queries)? _predicted;

    /// <summary>The follower's newest copy of the experiment (null: none known yet, <paramref name="situation"/> says why).</summary>
    public void Update(ExperimentState? state, string situation)
    {
        lock (_gate)
        {
            _state = state;
            _situation = situation;
        }
    }

    public RoundSituation Current()
    {
        ExperimentState? state;
        lock (_gate)
        {
            state = _state;
            if (state is null) return RoundSituation.Waiting(_situation);
            if (_built is { } built && ReferenceEquals(built.State, state)) return built.Round;
        }
        var round = state.AwaitsLabels ? new RoundSituation(Build(state), "") : RoundSituation.Waiting(RoundWords.Situation(state));
        lock (_gate) _built = (state, round);
        return round;
    }

    AnnotationRound Build(ExperimentState s)
    {
        var data = Data(s);
        var regions = s.CycleAcquisition.Select(r =>
        {
            var (top, bottom, left, right) = data.Grid.Bounds(r.Region);
            return new RoundRegion(r.Image, r.Region, top, bottom, left, right);
        }).ToList();
        var classes = data.Pool.ClassNames.Select((name, k) => new PageClass(k, name, ClassPalette.Hex(k))).ToList();
        var labels = s.CycleLabels.ToDictionary(l => new RegionKey(l.Key.Image, l.Key.Region), l => new RoundLabel(l.Value.Annotator, l.Value.Seconds));
        return new AnnotationRound(s.Id.Value, s.Cycle, s.IsInitialRound, data.Grid.Height, data.Grid.Width, classes, regions, labels, RoundWords.Next(s));
    }

    OpenedDatasets Data(ExperimentState s) => datasets.Get(s.Plan.Definition, $"experiment {s.Id}");

    public Task<byte[]> ImagePng(AnnotationRound round, int image, CancellationToken cancel)
    {
        var s = StateOf(round) ?? throw new InvalidOperationException($"round {round.Key} is over");
        var pixels = Data(s).Pool.Get(image);
        return Task.FromResult(ImageFiles.EncodeRgbPng(pixels.Height, pixels.Width, pixels.Rgb, $"pool image {image}"));
    }

    public async Task<byte[]?> Prediction(AnnotationRound round, int image, CancellationToken cancel)
    {
        if (round.Initial || StateOf(round) is not { } s) return null;
        Task<AnnotationQueries> queries;
        lock (_gate)
        {
            if (_predicted is not { } p || p.Key != round.Key)
                _predicted = (round.Key, Task.Run(() => CycleQueries.Build(s, s.Cycle, Data(s), imageFolder: null, predictOn)));
            queries = _predicted.Value.Queries;
        }
        return (await queries.WaitAsync(cancel)).Images.FirstOrDefault(i => i.Index == image)?.Prediction;
    }

    public async Task<SubmitOutcome> Submit(AnnotationRound round, RegionSubmission submission, CancellationToken cancel)
    {
        if (StateOf(round) is not { } s) return SubmitOutcome.Refused($"round {round.Key} is over");
        var region = submission.Region;
        var label = Data(s).LabelStore(s.Plan.RunDirectory).Store(region.Image, region.Region, submission.Mask, $"annotation page ({submission.Annotator})");
        var message = new SubmitLabel(s.Id, s.Cycle, new RegionId(region.Image, region.Region), new RegionLabel(label.Sha256, submission.Annotator, submission.Seconds, label.LabeledPixels));
        object answer;
        try { answer = await coordinator.Ask<object>(message, AskTimeout, cancel); }
        catch (AskTimeoutException)
        {
            throw new IOException($"the coordinator did not answer within {AskTimeout.TotalSeconds:0} s; the label is stored, submit it again to have it recorded");
        }
        return answer switch
        {
            LabelAccepted a => new SubmitOutcome(null, a.RegionsLabeled, a.RegionsQueried),
            AnnotationRefused r => SubmitOutcome.Refused(r.Reason),
            _ => throw new InvalidOperationException($"unexpected answer {answer.GetType().Name} to a label"),
        };
    }

    /// <summary>The copy of the experiment while it is still in <paramref name="round"/>, else null.</summary>
    ExperimentState? StateOf(AnnotationRound round)
    {
        lock (_gate) return _state is { } s && s.Id.Value == round.Experiment && s.Cycle == round.Cycle && s.Phase == CyclePhase.Annotating ? s : null;
    }
}
