using System.Globalization;

namespace Scheduler.Benchmarks;

/// <summary>The command line of the benchmark; every flag has a default, see <see cref="Usage"/>.</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        Scheduler.Benchmarks: compares Scheduler, Quartz.NET, Hangfire and a bare MassTransit publish/consume on one machine.

          --systems LIST        scheduler,embedded,quartz,hangfire,bus (default: all five); embedded = our node and worker in one host
          --workloads LIST      T10000,T1000,L (default: these three; Tn = n tasks due at one instant, L = 2,000 tasks one every 10 ms);
                                also R (10,000 recurring tasks, cron * * * * *, measured for 3 minutes; Rn for n tasks) and B (the --backlog
                                tasks due over the next 30 days, stored through the bulk command, then L while they wait); R and B run once
          --backlog N           tasks of workload B (default 1000000; 20000 for a smoke run of seconds); not scaled by --tasks
          --nodes LIST          scheduler nodes of our system, one row per entry, e.g. 1,2 (default 1)
          --tasks SCALE         multiplies every workload's task count (default 1; 0.1 for a quick check)
          --runs N              measured runs per system and workload (default 3), after one warm-up run
          --warmup-scale SCALE  size of the warm-up run relative to the workload (default 0.1, at least 50 tasks)
          --margin SECONDS      time between the end of scheduling and the due instant (default 5)
          --in-flight N         concurrent ScheduleTask requests / publishes (default 256)
          --postgres CS         Npgsql connection string of the server (default: $SCHEDULER_TEST_POSTGRES, else services.sh's)
          --rabbitmq URL        amqp://user:pass@host:port/ (default: $SCHEDULER_TEST_RABBITMQ, else services.sh's)
          --instance NAME       names this run's databases NAME_scheduler, NAME_quartz, NAME_hangfire and its RabbitMQ virtual host
                                scheduler-NAME (default bench); two runs at once on one server need different names
          --vhost NAME          RabbitMQ virtual host, recreated per system with rabbitmqctl when available (default scheduler-INSTANCE)
          --prefetch N          RabbitMQ prefetch of every MassTransit receive endpoint (default 64, Scheduler.Host's default)
          --queue-type TYPE     classic or quorum: the type of every receive endpoint's queue, as Transport:RabbitMq:QueueType
                                (default classic); quorum also sends to the nodes' and workers' queues through their exchanges
          --quartz-threads N    Quartz thread pool size (default 10, Quartz's default)
          --hangfire-workers N  Hangfire worker count (default 10)
          --hangfire-poll-ms N  Hangfire SchedulePollingInterval and QueuePollInterval in ms (default 100)
          --grace SECONDS       wait after the last start, to catch duplicates (default 2)
        """;

    public IReadOnlyList<string> Systems { get; private set; } = ["scheduler", "embedded", "quartz", "hangfire", "bus"];

    public IReadOnlyList<string> Workloads { get; private set; } = ["T10000", "T1000", "L"];

    public double TaskScale { get; private set; } = 1;

    /// <summary>Tasks of workload B.</summary>
    public int Backlog { get; private set; } = 1_000_000;

    /// <summary>Scheduler node counts: our system runs once per entry (one row per workload each).</summary>
    public IReadOnlyList<int> Nodes { get; private set; } = [1];

    public int Runs { get; private set; } = 3;

    public double WarmupScale { get; private set; } = 0.1;

    public TimeSpan Margin { get; private set; } = TimeSpan.FromSeconds(5);

    public int InFlight { get; private set; } = 256;

    public string Postgres { get; private set; } = Environment.GetEnvironmentVariable("SCHEDULER_TEST_POSTGRES") is { Length: > 0 } pg
        ? pg
        : "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=scheduler";

    public Uri RabbitMq { get; private set; } = new(Environment.GetEnvironmentVariable("SCHEDULER_TEST_RABBITMQ") is { Length: > 0 } mq
        ? mq
        : "amqp://guest:guest@127.0.0.1:5672/");

    public string Instance { get; private set; } = "bench";

    public string VirtualHost => _virtualHost ?? $"scheduler-{Instance}";

    private string? _virtualHost;

    public int Prefetch { get; private set; } = 64;

    public bool QuorumQueues { get; private set; }

    public int QuartzThreads { get; private set; } = 10;

    public int HangfireWorkers { get; private set; } = 10;

    public TimeSpan HangfirePoll { get; private set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan Grace { get; private set; } = TimeSpan.FromSeconds(2);

    /// <summary>Reads <paramref name="args"/>; on a wrong flag writes the reason and the usage to stderr and returns <see langword="null"/>.</summary>
    public static BenchOptions? Parse(IReadOnlyList<string> args)
    {
        var o = new BenchOptions();
        try
        {
            for (var i = 0; i < args.Count; i++)
            {
                var flag = args[i];
                if (flag is "-h" or "--help")
                {
                    Console.WriteLine(Usage);
                    return null;
                }

                var value = i + 1 < args.Count ? args[++i] : throw new FormatException($"{flag} needs a value.");
                switch (flag)
                {
                    case "--systems": o.Systems = List(value, ["scheduler", "embedded", "quartz", "hangfire", "bus"], flag); break;
                    case "--workloads": o.Workloads = Workload.ParseList(value).Select(w => w.Name).ToList(); break;
                    case "--backlog": o.Backlog = (int)Positive(value, flag); break;
                    case "--nodes": o.Nodes = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(v => (int)Positive(v, flag)).Distinct().ToList(); break;
                    case "--tasks": o.TaskScale = Positive(value, flag); break;
                    case "--runs": o.Runs = (int)Positive(value, flag); break;
                    case "--warmup-scale": o.WarmupScale = Positive(value, flag); break;
                    case "--margin": o.Margin = TimeSpan.FromSeconds(Positive(value, flag)); break;
                    case "--in-flight": o.InFlight = (int)Positive(value, flag); break;
                    case "--postgres": o.Postgres = value; break;
                    case "--rabbitmq": o.RabbitMq = new Uri(value); break;
                    case "--vhost": o._virtualHost = value; break;
                    case "--instance": o.Instance = System.Text.RegularExpressions.Regex.IsMatch(value, "^[a-z][a-z0-9_]{0,30}$")
                        ? value
                        : throw new FormatException($"--instance '{value}': use lower-case letters, digits and '_', starting with a letter."); break;
                    case "--prefetch": o.Prefetch = (int)Positive(value, flag); break;
                    case "--queue-type": o.QuorumQueues = value switch
                    {
                        "classic" => false,
                        "quorum" => true,
                        _ => throw new ArgumentException($"--queue-type is '{value}'; give classic or quorum."),
                    };
                        break;
                    case "--quartz-threads": o.QuartzThreads = (int)Positive(value, flag); break;
                    case "--hangfire-workers": o.HangfireWorkers = (int)Positive(value, flag); break;
                    case "--hangfire-poll-ms": o.HangfirePoll = TimeSpan.FromMilliseconds(Positive(value, flag)); break;
                    case "--grace": o.Grace = TimeSpan.FromSeconds(Positive(value, flag)); break;
                    default: throw new FormatException($"Unknown flag '{flag}'.");
                }
            }
        }
        catch (Exception e) when (e is FormatException or UriFormatException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(BenchOptions.Usage);
            return null;
        }

        return o;
    }

    private static double Positive(string value, string flag) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0
            ? d
            : throw new FormatException($"{flag} '{value}' is not a positive number.");

    private static List<string> List(string value, string[] allowed, string flag)
    {
        var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()).ToList();
        var unknown = items.Where(s => !allowed.Contains(s)).ToList();
        return unknown.Count == 0 && items.Count > 0
            ? items
            : throw new FormatException($"{flag} '{value}': use a comma-separated list of {string.Join(", ", allowed)}.");
    }
}
