using Scheduler.Cli;

return await SchedulerCli.RunAsync(args, Console.Out, Console.Error, TimeProvider.System);
