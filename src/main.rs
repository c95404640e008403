use std::process::ExitCode;

fn main() -> ExitCode {
    hindsight::commands::run()
}
