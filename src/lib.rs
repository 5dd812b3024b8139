pub mod model; pub mod text; pub mod topic; pub mod dedup;
