pub mod model; pub mod text; pub mod topic; pub mod dedup; pub mod config; pub mod parse;
