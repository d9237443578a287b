// The fault tests administer Debian's RabbitMQ and PostgreSQL packages (rabbitmq-server, pg_createcluster) and send POSIX signals.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// One fault test at a time: each runs its own broker, database, two nodes and two workers, which is load enough for a 2-core machine, and
// its timings (leases, ExpireAfter) must not depend on what another fault test does at the same moment.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
