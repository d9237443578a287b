using Scheduler.Core;

namespace Scheduler.EntityFrameworkCore.Migrations;

/// <summary>
/// The database's schema version does not fit this build: it is newer (its journal, <c>scheduler_schema_versions</c>, names a script this build
/// does not know; upgrade the node), or older while automatic migration is off (run <c>scheduler db migrate</c>). The message names both versions
/// and the fix.
/// </summary>
public sealed class SchemaVersionException : SchedulerException
{
    /// <summary>Creates the exception with a message.</summary>
    public SchemaVersionException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public SchemaVersionException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with no message.</summary>
    public SchemaVersionException() { }
}
