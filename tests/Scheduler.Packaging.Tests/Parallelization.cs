// One test at a time: packing, restoring and publishing each load the machine's 2 cores, and their timeouts assume they run alone.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
