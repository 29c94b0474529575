using S4AL.Learning.Storage;
using System.CommandLine;
using System.Diagnostics;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using S4AL.Actors.Coordinator;
using S4AL.Actors.Hosting;
using S4AL.Actors.Reports;
using S4AL.Actors.Scorer;
using S4AL.Actors.Trainer;
using S4AL.Actors.Workspace;
using S4AL.Domain.Experiments;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data.Datasets;
using S4AL.Node.Configuration;
using S4AL.Node.Hosting;
using S4AL.Node.Runs;
using S4AL.Reporting;
using TorchSharp;
using static S4AL.Domain.Protocols.CoordinatorProtocol;
using static S4AL.Domain.Protocols.ReporterProtocol;

namespace S4AL.Node.Commands;

/// <summary>`s4al run`: a whole active-learning experiment on this machine, as a one-node cluster with every role.</summary>
public static class RunCommand
{
    public static Command Create(NodeServices services)
    {
        var o = new RunOptions();
        var runtime = new Option<string>("--runtime") { Description = "actors (the one-node cluster: journal, resume after a crash) or in-process (the engine's driver, no actors; for comparison)", DefaultValueFactory = _ => "actors" };
        var cmd = new Command("run", "Run a complete S4AL experiment (initial set, cycles of training, scoring, acquisition and oracle annotation, evaluation after each cycle) on this machine. Running it again on an unfinished run folder resumes it.");
        o.AddTo(cmd);
        cmd.Options.Add(runtime);
        var checkpointInterval = CheckpointIntervalOption();
        cmd.Options.Add(checkpointInterval);
        var telemetry = SettingOptions.Telemetry();
        telemetry.AddTo(cmd);
        var hocon = ClusterOptions.HoconOption();
        cmd.Options.Add(hocon);
        var annotation = SettingOptions.Annotation();
        annotation.AddTo(cmd);
        cmd.SetAction(parse => CommandErrors.Guard(() =>
        {
            var spec = o.Read(parse);
            var config = S4alConfiguration.Load(annotation.MapTo(telemetry.MapTo(new GivenOptions(parse).Map(hocon, "Node:Hocon"))));
            return parse.GetValue(runtime) switch
            {
                "actors" => RunWithActors(spec, o.DefinitionOptionsGiven(parse), Console.Out, CheckpointInterval(parse, checkpointInterval), config, services),
                "in-process" when spec.Annotator == AnnotatorMode.Human => throw new UsageException("--annotator human needs --runtime actors: people label while the coordinator waits in its journal"),
                "in-process" => spec.Settings.Convergence is null ? RunInProcess(spec, Console.Out)
                    : throw new UsageException("--eval-every needs --runtime actors (the default): the round's best model is kept as a checkpoint, which the in-process driver does not write"),
                var other => throw new UsageException($"--runtime {other}: expected actors or in-process"),
            };
        }));
        return cmd;
    }

    /// <summary>--checkpoint-interval: how often a training cycle may be checkpointed (run, node).</summary>
    public static Option<double> CheckpointIntervalOption() => new("--checkpoint-interval")
    {
        Description = "Seconds between training checkpoints at most (one at an epoch end once this long has passed; 0: every epoch); a crash loses at most about this much training",
        DefaultValueFactory = _ => new TrainerOptions().CheckpointInterval.TotalSeconds,
    };

    public static TimeSpan CheckpointInterval(ParseResult parse, Option<double> option)
    {
        var seconds = parse.GetValue(option);
        return seconds >= 0 && double.IsFinite(seconds) ? TimeSpan.FromSeconds(seconds) : throw new UsageException($"--checkpoint-interval {seconds}: must be 0 or more seconds");
    }

    /// <summary>
    /// The experiment on a one-node cluster; of <paramref name="config"/> only the HOCON files, the trainer count, telemetry and the annotation page apply
    /// (the node takes every role, the annotation page's too when people label; its journal is the run folder's).
    /// </summary>
    public static int RunWithActors(RunRequest spec, IReadOnlyList<string> optionsGiven, TextWriter output, TimeSpan checkpointInterval, S4alSettings config, NodeServices services)
    {
        torch.set_num_threads(spec.Threads);
        var watch = Stopwatch.StartNew();
        // A new run's data is opened before anything is written, so a missing dataset leaves no run folder behind.
        (ExperimentPlan Plan, OpenedDatasets Data)? fresh = File.Exists(Path.Combine(spec.RunDir, RunFolder.JournalFileName))
            ? null : ExperimentPlanner.Plan(spec, ExperimentPlanner.IdFor(spec.RunDir));
        using var folder = RunFolder.Open(spec.RunDir);
        RunFolder.CheckJournal(folder.Journal);
        // The address of a process that ran here before is stale: clients wait for this one's.
        File.Delete(folder.AddressFile);
        var settings = new NodeSettings
        {
            Node = new NodeSection
            {
                Journal = PersistenceOptions.Sqlite(folder.Journal), Hocon = config.Node.Hocon,
                Roles = AnnotatorOf(spec, folder, fresh is not null) == AnnotatorMode.Human ? NodeRoles.Known : NodeRoles.All,
            },
            Annotation = config.Annotation,
            Trainer = new TrainerOptions { Device = spec.DeviceName, Count = config.Trainer.Count, Threads = spec.Threads, CheckpointInterval = checkpointInterval },
            Scorer = new ScorerOptions { Device = spec.DeviceName },
            Services = services,
            LogFile = folder.Log,
            Telemetry = config.Telemetry,
        };
        using var host = NodeHost.Build(settings);
        host.StartAsync().GetAwaiter().GetResult();
        try
        {
            var system = host.System();
            var coordinator = host.Registry().Get<CoordinatorKey>();
            if (host.AnnotationPage() is { } page) (page.Page is null ? Console.Error : output).WriteLine(page.Describe());
            var (plan, data) = ResolvePlan(spec, optionsGiven, folder, system, coordinator, output, fresh);
            // Where `s4al import` and `s4al annotate` find this process's coordinator (only people's runs take labels).
            if (plan.Annotator == AnnotatorMode.Human) AtomicFile.WriteText(folder.AddressFile, Akka.Cluster.Cluster.Get(system).SelfAddress.ToString());
            output.WriteLine($"pool: {data.Pool.Name} ({data.Pool.Count} images {data.Pool.Height}x{data.Pool.Width}, {data.Pool.NumClasses} classes); validation: {data.Validation.Count} images; run folder: {spec.RunDir}");

            return Watch(system, coordinator, host.Registry().Get<ReporterRegionKey>(), plan, data, output, watch, folder.Log,
                host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        }
        finally
        {
            host.StopQuietly(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>
    /// Who labels the run folder's experiment, known before its node starts (the node serves the
    /// annotation page only for people): the options' word for a new run, the saved settings' for
    /// one to resume (its options may be left out).
    /// </summary>
    static AnnotatorMode AnnotatorOf(RunRequest spec, RunFolder folder, bool fresh)
    {
        if (fresh || !File.Exists(folder.Settings)) return spec.Annotator;
        try { return ExperimentDefinition.FromJson(File.ReadAllText(folder.Settings), folder.Settings).Annotator; }
        catch (Exception e) when (e is IOException or InvalidDataException) { return spec.Annotator; }
    }

    /// <summary>Follows an experiment to its end with the progress display; the exit code of the command.</summary>
    /// <param name="stopping">The host's stop signal: SIGTERM (`docker stop`, a scheduler) ends the watch like Ctrl+C; the journal keeps everything for a resume.</param>
    public static int Watch(ActorSystem system, IActorRef coordinator, IActorRef reporters, ExperimentPlan plan, OpenedDatasets data, TextWriter output, Stopwatch watch, string log,
        CancellationToken stopping)
    {
        using var display = ProgressDisplay.Create(output);
        var done = new TaskCompletionSource<RunOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stopped = stopping.Register(() => done.TrySetResult(new RunOutcome.Failed("stopped (SIGTERM); run the same command again to resume")));
        using (ConsoleInterrupt.On(() => done.TrySetResult(new RunOutcome.Failed("interrupted; run the same command again to resume"))))
        {
            system.ActorOf(RunClientActor.Props(coordinator, plan, data, display, done, TimeSpan.FromMinutes(2)), "run-client");
            var outcome = done.Task.GetAwaiter().GetResult();
            display.Dispose();
            switch (outcome)
            {
                case RunOutcome.Completed c:
                    // The results are the reporter's to write (off the coordinator); wait until they are on disk.
                    if (AskReporter(reporters, new FlushReports(plan.Id, c.State.History.Count)) is { Error: { } error })
                        Console.Error.WriteLine($"s4al: warning: the results could not be written to {plan.RunDirectory}: {error}");
                    var results = RunFolderReport.CycleResults(c.State, data);
                    output.WriteLine($"done in {watch.Elapsed.TotalSeconds:0.0}s; results: {Path.Combine(plan.RunDirectory, "cycles.csv")}");
                    foreach (var r in results)
                        output.WriteLine($"  cycle {r.Cycle}: {100 * r.LabeledPixelShare:0.00}% labeled -> mIoU {r.Evaluation.MeanIoUText}");
                    return 0;
                case RunOutcome.Failed f:
                    Console.Error.WriteLine($"s4al: error: {f.Error} (log: {log})");
                    return 1;
                default:
                    throw new InvalidOperationException($"unknown outcome {outcome}");
            }
        }
    }

    /// <summary>
    /// The run folder's experiment: the one in its journal (resumed; options given on the
    /// command line must agree with it), or a new one planned from the options.
    /// </summary>
    static (ExperimentPlan Plan, OpenedDatasets Data) ResolvePlan(RunRequest spec, IReadOnlyList<string> optionsGiven, RunFolder folder,
        ActorSystem system, IActorRef coordinator, TextWriter output, (ExperimentPlan Plan, OpenedDatasets Data)? fresh)
    {
        var existing = AskCoordinator<ExperimentList>(system, coordinator, new ListExperiments()).Experiments.FirstOrDefault(e => e.Found);
        if (existing is null)
        {
            var (plan, data) = fresh ?? ExperimentPlanner.Plan(spec, ExperimentPlanner.IdFor(spec.RunDir));
            ExperimentPlanner.StoreStartLabels(spec, data);
            AtomicFile.WriteText(folder.Settings, plan.Definition);
            return (plan, data);
        }
        var saved = AskCoordinator<Subscribed>(system, coordinator, new Subscribe(existing.Experiment, EventsOnly: true)).State?.Plan
            ?? throw new UsageException($"run folder {spec.RunDir}: its journal lists experiment {existing.Experiment} but has no state for it");
        if (Path.GetFullPath(saved.RunDirectory) != Path.GetFullPath(spec.RunDir))
            throw new UsageException($"run folder {spec.RunDir} holds experiment {saved.Id} created in {saved.RunDirectory}; run folders cannot be moved (their journal names their checkpoints)");
        if (optionsGiven.Count > 0)
        {
            var (asked, askedData) = ExperimentPlanner.Plan(spec, saved.Id);
            if (!asked.SameExperimentAs(saved))
                throw new UsageException($"run folder {spec.RunDir} holds experiment {saved.Id} defined differently: {DefinitionDiff.Describe(saved, asked)}; " +
                    $"run `s4al run --run-dir {spec.RunDir}` without experiment options to resume it (settings: {folder.Settings}), or use another run folder");
            output.WriteLine($"resuming experiment {saved.Id} from {folder.Journal}");
            return (saved, askedData);
        }
        output.WriteLine($"resuming experiment {saved.Id} from {folder.Journal}");
        return (saved, OpenedDatasets.Open(ExperimentDefinition.FromJson(saved.Definition, folder.Settings)));
    }

    public static ReportsWritten? AskReporter(IActorRef reporters, FlushReports flush)
    {
        try { return reporters.Ask<ReportsWritten>(flush, TimeSpan.FromMinutes(2)).GetAwaiter().GetResult(); }
        catch (AskTimeoutException) { return new ReportsWritten(flush.Experiment, 0, "the reporter did not answer within 2 minutes"); }
    }

    /// <summary>Asks the coordinator, failing with the journal's error if it cannot recover.</summary>
    public static T AskCoordinator<T>(ActorSystem system, IActorRef coordinator, object message)
    {
        var recoveryFailed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        IActorRef watcher;
        try { watcher = system.ActorOf(Props.Create(() => new RecoveryWatcher(recoveryFailed))); }
        catch (InvalidOperationException) { throw Downed(); } // the actor system is shutting down
        try
        {
            var ask = coordinator.Ask<T>(message, TimeSpan.FromMinutes(2));
            var first = Task.WhenAny(ask, recoveryFailed.Task, system.WhenTerminated).GetAwaiter().GetResult();
            if (first == recoveryFailed.Task) throw new InvalidDataException($"the journal cannot be read: {recoveryFailed.Task.Result}");
            if (first == system.WhenTerminated) throw Downed();
            try { return ask.GetAwaiter().GetResult(); }
            catch (AskTimeoutException) { throw new IOException("the coordinator did not answer within 2 minutes (see the log in the run folder)"); }
        }
        finally
        {
            system.Stop(watcher);
        }
    }

    /// <summary>A client downed with its cluster (e.g. by the split-brain resolver) has no actor system left to ask with.</summary>
    static IOException Downed() =>
        new("this process was removed from the cluster (downed: see its log); the cluster's nodes go on or restart, so run the command again");

    sealed class RecoveryWatcher : ReceiveActor
    {
        public RecoveryWatcher(TaskCompletionSource<string> failed)
        {
            Receive<CoordinatorRecoveryFailed>(f => failed.TrySetResult(f.Reason));
        }

        protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(CoordinatorRecoveryFailed));
    }

    /// <summary>The engine's in-process driver: no actors, no journal (the reference the actor runtime is measured against).</summary>
    public static int RunInProcess(RunRequest spec, TextWriter output)
    {
        torch.set_num_threads(spec.Threads);
        var (pool, validation) = Datasets.Open(spec.Data);
        Directory.CreateDirectory(spec.RunDir);
        AtomicFile.WriteText(Path.Combine(spec.RunDir, RunFolder.SettingsFileName), spec.Definition.ToJson());
        output.WriteLine($"pool: {pool.Name} ({pool.Count} images {pool.Height}x{pool.Width}, {pool.NumClasses} classes); validation: {validation.Count} images; run folder: {spec.RunDir}");

        var watch = Stopwatch.StartNew();
        var driver = new ActiveLearningDriver(pool, validation, spec.Settings, spec.Device);
        var results = new List<CycleResult>();
        using var display = ProgressDisplay.Create(output);
        var labeledPath = Path.Combine(spec.RunDir, RunFolderReport.LabeledSetFileName);
        var start = spec.LabeledFrom is null ? null : LabeledSetFile.Read(spec.LabeledFrom);
        var initial = start ?? driver.InitialLabeledSet();
        var report = new Progress(display, e =>
        {
            switch (e)
            {
                case ActiveLearningProgress.CycleStarted c: LabeledSetFile.Write(labeledPath, c.Labeled); break;
                case ActiveLearningProgress.Acquired a: LabeledSetFile.Write(labeledPath, a.Labeled); break;
                case ActiveLearningProgress.CycleCompleted c:
                    results.Add(c.Result);
                    CycleResultFiles.Write(spec.RunDir, results);
                    RunPlots.Write(spec.RunDir, results, pool, initial, "mIoU against labeled pixels");
                    break;
            }
        });
        driver.Run(report, start: initial);
        display.Dispose();
        output.WriteLine($"done in {watch.Elapsed.TotalSeconds:0.0}s; results: {Path.Combine(spec.RunDir, "cycles.csv")}");
        foreach (var r in results)
            output.WriteLine($"  cycle {r.Cycle}: {100 * r.LabeledPixelShare:0.00}% labeled -> mIoU {r.Evaluation.MeanIoUText}");
        return 0;
    }

    /// <summary>Forwards every event after saving what it changes (labeled set, per-cycle results), so a crash keeps finished work.</summary>
    sealed class Progress(IProgress<ActiveLearningProgress> inner, Action<ActiveLearningProgress> save) : IProgress<ActiveLearningProgress>
    {
        public void Report(ActiveLearningProgress value)
        {
            save(value);
            inner.Report(value);
        }
    }
}
