using Akka.Actor;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using static S4AL.Domain.Protocols.CoordinatorProtocol;

namespace S4AL.Actors.Coordinator;

/// <summary>The coordinator's commands from people (human annotator): labels of queried regions and closing a round.</summary>
public sealed partial class CoordinatorActor
{
    void CommandAnnotation()
    {
        Command<SubmitLabel>(l => DecideAnnotation(l.Experiment, s => ExperimentDecisions.Label(s, l.Cycle, l.Region, l.Label),
            (now, changed) => new LabelAccepted(l.Experiment, l.Region, changed, now.CycleLabels.Count, now.CycleAcquisition.Length)));
        Command<CloseAnnotation>(c => DecideAnnotation(c.Experiment, s => ExperimentDecisions.CloseAnnotation(s, c.Cycle), (now, _) => ExperimentStatus.Of(now, null)));
    }

    /// <summary>
    /// Refused with the reason, or persisted, then answered (the label is in the journal before
    /// its sender hears of it) and the experiment advanced: the last label starts the next cycle.
    /// </summary>
    void DecideAnnotation(ExperimentId id, Func<ExperimentState, Decision> decide, Func<ExperimentState, bool, object> answer)
    {
        var replyTo = Sender;
        var decision = State.Find(id) is { } s ? decide(s) : Decision.Refuse($"the coordinator knows no experiment {id}");
        if (decision.IsRefused) { replyTo.Tell(new AnnotationRefused(id, decision.Refusal!)); return; }
        PersistThen(decision, () =>
        {
            replyTo.Tell(answer(State.Find(id)!, !decision.Events.IsEmpty));
            Advance(id);
        });
    }
}
