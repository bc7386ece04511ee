// The collections each run a whole pipeline of processes; on two cores they run one after another, so
// each test's timing reflects its own work rather than its neighbours'.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
