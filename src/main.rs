use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = feedsift::cli::Cli::parse();
    match feedsift::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("feedsift: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}
