using System.CommandLine;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using S4AL.Actors.Hosting;
using S4AL.Actors.Reports;
using S4AL.Actors.Scorer;
using S4AL.Actors.Trainer;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using S4AL.Learning.Storage;
using S4AL.Node.Configuration;
using S4AL.Node.Hosting;
using S4AL.Node.Runs;
using S4AL.Node.Sweeps;
using Spectre.Console;
using TorchSharp;
using static S4AL.Domain.Protocols.CoordinatorProtocol;
using static S4AL.Domain.Protocols.ReporterProtocol;

namespace S4AL.Node.Commands;

/// <summary>
/// `s4al sweep`: a grid of experiments (settings x varied options x seeds) run on the embedded
/// one-node cluster until every one is done, or submitted to a cluster with --seed-nodes. The
/// sweep's folder holds the coordinator's journal (one for all its experiments), sweep.json and
/// one run folder per experiment, which `s4al compare` reads.
/// </summary>
public static class SweepCommand
{
    /// <summary>What defines a sweep's grid (kept in sweep.json so the folder alone resumes it).</summary>
    sealed record GridRequest(string? Name, IReadOnlyList<SweepSetting> Settings, IReadOnlyList<SweepAxis> Axes, IReadOnlyList<int> Seeds, IReadOnlyList<string> Shared,
        IReadOnlyList<string> Arguments)
    {
        public bool IsEmpty => Settings.Count == 0 && Axes.Count == 0 && Shared.Count == 0;
    }

    public static Command Create(NodeServices services)
    {
        var name = new Option<string?>("--name") { Description = "The sweep's name: its folder runs/<name> and the prefix of its experiment ids" };
        var runDir = new Option<string?>("--run-dir") { Description = "The sweep's folder (default runs/<name>): journal, sweep.json and a run folder per experiment; give it alone to resume" };
        var vary = new Option<string[]>("--vary") { Description = "OPTION=V1,V2,...: run each value of this run option (without its dashes), e.g. metric=entropy,random; repeat for a grid" };
        var setting = new Option<string[]>("--setting")
        {
            Description = "NAME=OPTIONS: a named setting (run options), e.g. \"supervised=--mode supervised --cycles 0 --labeled-from-setting s4al\"; " +
                $"{SweepGrid.DependencyOption} NAME starts from the final labeled set of that setting's experiment with the same seed",
        };
        var seeds = new Option<string>("--seeds") { Description = "Seeds, comma-separated: every experiment runs once per seed", DefaultValueFactory = _ => "1" };
        var threads = new Option<int>("--threads") { Description = "CPU threads for tensor operations on this machine, shared by its trainers (without --seed-nodes)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N (without --seed-nodes)", DefaultValueFactory = _ => "cpu" };
        var trainers = NodeCommand.TrainersOption();
        var watch = new Option<bool>("--watch") { Description = "With --seed-nodes: follow the sweep until every experiment is done" };
        var checkpointInterval = RunCommand.CheckpointIntervalOption();
        var cluster = new ClusterOptions();
        var telemetry = SettingOptions.Telemetry();
        var cmd = new Command("sweep",
            "Run a grid of experiments: every --setting, times every combination of --vary values, times every seed. Any other option is an `s4al run` option shared by " +
            "every experiment (a setting's or a varied option wins over it). Without --seed-nodes the sweep runs here until every experiment is done (run it again to resume); " +
            "with --seed-nodes it is submitted to that cluster (run folders on shared storage). Compare the results with `s4al compare <sweep folder> --out DIR`.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        foreach (var o in new Option[] { name, runDir, vary, setting, seeds, threads, trainers, device, watch, checkpointInterval }) cmd.Options.Add(o);
        cluster.AddTo(cmd);
        telemetry.AddTo(cmd);
        cmd.SetAction(parse => CommandErrors.Guard(() =>
        {
            GridRequest Grid(ParseResult p) => new(p.GetValue(name), (p.GetValue(setting) ?? []).Select(SweepSetting.Parse).ToList(),
                (p.GetValue(vary) ?? []).Select(SweepAxis.Parse).ToList(), SweepGrid.ParseSeeds(p.GetValue(seeds)!), p.UnmatchedTokens.ToList(), GridArguments(p));
            IReadOnlyList<string> GridArguments(ParseResult p) =>
                new[] { ("--name", p.GetValue(name)), ("--seeds", p.GetResult(seeds) is { Implicit: false } ? p.GetValue(seeds) : null) }
                    .Where(x => x.Item2 is not null).SelectMany(x => new[] { x.Item1, x.Item2! })
                    .Concat((p.GetValue(vary) ?? []).SelectMany(v => new[] { "--vary", v }))
                    .Concat((p.GetValue(setting) ?? []).SelectMany(s => new[] { "--setting", s }))
                    .Concat(p.UnmatchedTokens).ToList();

            var grid = Grid(parse);
            var folder = Path.GetFullPath(parse.GetValue(runDir) ?? (grid.Name is { } n ? Path.Combine("runs", n) : throw new UsageException("give --name NAME (or --run-dir of a sweep to resume it)")));
            if (grid.IsEmpty)
            {
                var saved = SweepFile.Read(folder) ?? throw new UsageException($"nothing to sweep: give --setting or --vary (or run options), or --run-dir of an existing sweep (no {SweepFile.PathIn(folder)})");
                grid = Grid(cmd.Parse(saved.Arguments.ToArray()));
            }
            var sweepName = grid.Name ?? SweepFile.Read(folder)?.Name ?? Path.GetFileName(folder);
            if (!SweepGrid.IsName(sweepName)) throw new UsageException($"--name {sweepName}: use 1-60 letters, digits, '-' or '.'");
            var config = S4alConfiguration.Load(telemetry.MapTo(cluster.Given(parse).Map(trainers, NodeCommand.TrainersSetting)));
            var sweep = Plan(sweepName, folder, grid, Console.Out);
            if (config.Node.SeedNodes.Count > 0) return Submit(sweep, config.Node, parse.GetValue(watch), Console.Out);
            int threadCount = parse.GetValue(threads);
            if (threadCount < 1) throw new UsageException($"--threads {threadCount}: must be at least 1");
            DeviceParser.Parse(parse.GetValue(device)!);
            // The thread budget is shared by the trainers: two trainers of one thread each train two experiments at once on two cores.
            return RunHere(sweep, config, new TrainerOptions
                {
                    Device = parse.GetValue(device)!, Count = config.Trainer.Count, Threads = threadCount,
                    CheckpointInterval = RunCommand.CheckpointInterval(parse, checkpointInterval),
                },
                threadCount, services, Console.Out);
        }));
        return cmd;
    }

    /// <summary>A sweep made ready to submit: sweep.json and every run folder's settings.json written, and the plans.</summary>
    sealed record PlannedSweep(string Folder, SweepFile File, IReadOnlyList<ExperimentPlan> Plans);

    static PlannedSweep Plan(string sweepName, string folder, GridRequest grid, TextWriter output)
    {
        var experiments = SweepGrid.Expand(grid.Shared, grid.Settings, grid.Axes, grid.Seeds);
        var idOf = experiments.ToDictionary(e => e.Name, e => IdOf(sweepName, e.Name));
        // Dependencies first, so a dependent's "identical to" compares against its dependency's canonical experiment.
        var byName = experiments.ToDictionary(e => e.Name);
        int Depth(SweepExperiment e) => e.LabeledSetFrom is { } from ? Depth(byName[from]) + 1 : 0;
        var depth = experiments.ToDictionary(e => e.Name, Depth);
        var plans = new Dictionary<string, ExperimentPlan>();
        var sameAs = new Dictionary<string, string>();
        foreach (var e in experiments.OrderBy(e => depth[e.Name]))
        {
            var runFolder = Path.Combine(folder, e.Name);
            var spec = RunRequestOf(e, runFolder);
            var (plan, _) = ExperimentPlanner.Plan(spec, idOf[e.Name]);
            if (e.LabeledSetFrom is { } from)
            {
                var canonical = sameAs.GetValueOrDefault(from, from);
                plan = plan with
                {
                    Definition = (spec.Definition with { LabeledSetFrom = e.LabeledSetFromSetting }).ToJson(),
                    InitialFullyLabeled = [], InitialRegions = [], LabeledSetFrom = idOf[canonical],
                };
            }
            var twin = plans.Values.FirstOrDefault(p => p.SameExperimentAs(plan with { Id = p.Id, RunDirectory = p.RunDirectory }));
            if (twin is not null)
            {
                sameAs[e.Name] = experiments.First(x => idOf[x.Name] == twin.Id).Name;
                continue;
            }
            plans[e.Name] = plan.Validate();
        }
        var file = new SweepFile(sweepName, grid.Arguments, experiments.Select(e => new SweepFileExperiment(e.Name, idOf[e.Name].Value, e.Setting, e.Seed,
            e.Varied.ToDictionary(v => v.Option, v => v.Value), Path.Combine(folder, e.Name), e.LabeledSetFrom is { } f ? sameAs.GetValueOrDefault(f, f) : null,
            sameAs.GetValueOrDefault(e.Name))).ToList());
        // Written once every experiment is planned: a sweep with a bad experiment leaves nothing behind.
        Directory.CreateDirectory(folder);
        file.Write(folder);
        foreach (var (experiment, plan) in plans)
        {
            Directory.CreateDirectory(plan.RunDirectory);
            var settings = Path.Combine(plan.RunDirectory, RunFolder.SettingsFileName);
            if (!File.Exists(settings)) AtomicFile.WriteText(settings, plan.Definition);
        }
        output.WriteLine($"sweep {sweepName}: {experiments.Length} experiments ({plans.Count} to train{(sameAs.Count > 0 ? $", {sameAs.Count} identical to another" : "")}) in {folder}");
        return new PlannedSweep(folder, file, experiments.Where(e => plans.ContainsKey(e.Name)).Select(e => plans[e.Name]).ToList());
    }

    static ExperimentId IdOf(string sweep, string experiment)
    {
        var id = $"{sweep}.{experiment}";
        if (id.Length > 100) throw new UsageException($"experiment id '{id}' is longer than 100 characters: use a shorter --name, setting names or values");
        return ExperimentId.Parse(id);
    }

    /// <summary>The experiment's run options read like `s4al run`'s; an error names the experiment.</summary>
    static RunRequest RunRequestOf(SweepExperiment e, string runFolder)
    {
        var options = new RunOptions();
        var parser = new RootCommand();
        options.AddTo(parser);
        var parse = parser.Parse(e.Arguments.Concat(["--seed", e.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--run-dir", runFolder]).ToArray());
        if (parse.Errors.Count > 0) throw new UsageException($"sweep experiment {e.Name}: {parse.Errors[0].Message}");
        try
        {
            var spec = options.Read(parse);
            if (spec.Annotator != AnnotatorMode.Oracle) throw new UsageException("--annotator human: a sweep compares settings with the oracle's labels; label with `s4al run --annotator human`");
            if (spec.StartLabels is not null) throw new UsageException("--start-labels belongs to people's runs, not sweeps");
            return spec;
        }
        catch (UsageException u) { throw new UsageException($"sweep experiment {e.Name}: {u.Message}"); }
        catch (ArgumentException a) { throw new UsageException($"sweep experiment {e.Name}: {a.Message}"); }
    }

    /// <summary>The sweep on this machine: a one-node cluster with every role whose journal is the sweep folder's, until every experiment is done.</summary>
    static int RunHere(PlannedSweep sweep, S4alSettings config, TrainerOptions trainer, int threads, NodeServices services, TextWriter output)
    {
        torch.set_num_threads(threads);
        using var folder = RunFolder.Open(sweep.Folder);
        RunFolder.CheckJournal(folder.Journal);
        var settings = new NodeSettings
        {
            Node = new NodeSection { Journal = PersistenceOptions.Sqlite(folder.Journal), Hocon = config.Node.Hocon, Roles = NodeRoles.All },
            Trainer = trainer,
            Scorer = new ScorerOptions { Device = trainer.Device },
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
            SubmitAll(sweep, message => RunCommand.AskCoordinator<object>(system, coordinator, message), output);
            var reporters = host.Registry().Get<ReporterRegionKey>();
            int exit = ExitCode(sweep.File, Follow(sweep.File, () => RunCommand.AskCoordinator<ExperimentList>(system, coordinator, new ListExperiments()).Experiments, output,
                host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping), folder.Log);
            // The results are the reporters' to write; wait until every finished experiment's are on disk.
            foreach (var s in RunCommand.AskCoordinator<ExperimentList>(system, coordinator, new ListExperiments()).Experiments.Where(s => s.Found && s.Phase == CyclePhase.Done))
                if (RunCommand.AskReporter(reporters, new FlushReports(s.Experiment, s.Completed.Length)) is { Error: { } error })
                    Console.Error.WriteLine($"s4al: warning: the results of {s.Experiment} could not be written to {s.RunDirectory}: {error}");
            if (exit == 0) output.WriteLine($"compare the settings: s4al compare {sweep.Folder} --out {Path.Combine(sweep.Folder, "compare")}");
            return exit;
        }
        finally
        {
            host.StopQuietly(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>The sweep sent to a running cluster; with --watch followed to its end.</summary>
    static int Submit(PlannedSweep sweep, NodeSection node, bool watch, TextWriter output)
    {
        using var client = CoordinatorClient.Connect(node, null, watch ? Path.Combine(sweep.Folder, RunFolder.LogFileName) : null);
        SubmitAll(sweep, client.Ask<object>, output);
        if (!watch)
        {
            output.WriteLine($"follow it with `s4al status --run-dir {sweep.Folder} --seed-nodes ...`, or run this command again with --watch");
            return 0;
        }
        return ExitCode(sweep.File, Follow(sweep.File, () => client.Ask<ExperimentList>(new ListExperiments()).Experiments, output, client.Stopping), "the nodes' logs");
    }

    static void SubmitAll(PlannedSweep sweep, Func<object, object> ask, TextWriter output)
    {
        int known = 0;
        foreach (var plan in sweep.Plans)
            switch (ask(new SubmitExperiment(plan)))
            {
                case SubmitRefused r: throw new UsageException($"sweep experiment {sweep.File.NameOf(plan.Id.Value)} refused: {r.Reason}");
                case SubmitAccepted { AlreadyKnown: true }: known++; break;
            }
        output.WriteLine(known == 0 ? $"submitted {sweep.Plans.Count} experiments" : $"submitted {sweep.Plans.Count} experiments ({known} known already: they go on where they stand)");
    }

    /// <summary>The exit code of a sweep followed to its end: 0 when every experiment is done; 1 after failures (named) or when stopped.</summary>
    static int ExitCode(SweepFile sweep, (SweepOutcome? Outcome, int Total) followed, string log)
    {
        switch (followed.Outcome)
        {
            case null:
                Console.Error.WriteLine("s4al: error: stopped; run the same command again to resume the sweep");
                return 1;
            case { Failed.Count: 0 }:
                Console.Out.WriteLine($"sweep {sweep.Name}: all {followed.Total} experiments done");
                return 0;
            case var outcome:
                foreach (var (experiment, error) in outcome.Failed) Console.Error.WriteLine($"s4al: error: {experiment} failed: {error}");
                Console.Error.WriteLine($"s4al: error: {outcome.Failed.Count} experiments failed (log: {log}); run the same command again to retry them, the rest is kept");
                return 1;
        }
    }

    /// <summary>
    /// Shows the sweep's table (live on a terminal, changed rows as lines otherwise) until every
    /// experiment is done, until the rest cannot go on because experiments failed, or until
    /// <paramref name="stopping"/> / Ctrl+C (outcome null); then prints the table once more.
    /// </summary>
    public static (SweepOutcome? Outcome, int Total) Follow(SweepFile sweep, Func<IReadOnlyList<ExperimentStatus>> list, TextWriter output, CancellationToken stopping)
    {
        using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using (ConsoleInterrupt.On(interrupted.Cancel))
        {
            var title = $"sweep {sweep.Name}";
            IReadOnlyList<ExperimentStatus> statuses = list();
            bool live = ProgressDisplay.UseLive(ReferenceEquals(output, Console.Out), Console.IsOutputRedirected, AnsiConsole.Profile.Capabilities.Interactive);
            SweepOutcome? outcome = null;
            if (live)
                AnsiConsole.Live(SweepTable.Render(title, SweepTable.Rows(sweep, statuses))).AutoClear(true).Start(ctx =>
                {
                    while (!interrupted.IsCancellationRequested && (outcome = SweepOutcome.Of(sweep, statuses)) is null)
                    {
                        interrupted.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
                        statuses = list();
                        ctx.UpdateTarget(SweepTable.Render(title, SweepTable.Rows(sweep, statuses)));
                    }
                });
            else
            {
                var shown = new Dictionary<string, SweepRow>();
                while (true)
                {
                    foreach (var row in SweepTable.Rows(sweep, statuses))
                        if (!shown.TryGetValue(row.Experiment, out var before) || before != row)
                        {
                            shown[row.Experiment] = row;
                            output.WriteLine($"{DateTime.Now:HH:mm:ss} {SweepTable.Change(row)}");
                        }
                    if (interrupted.IsCancellationRequested || (outcome = SweepOutcome.Of(sweep, statuses)) is not null) break;
                    interrupted.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
                    statuses = list();
                }
            }
            foreach (var line in SweepTable.Lines(SweepTable.Rows(sweep, statuses))) output.WriteLine(line);
            return (outcome, SweepTable.Count(sweep, statuses).Total);
        }
    }
}
