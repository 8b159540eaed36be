#include "ocirt/cli/app.hpp"

int main(int argc, char** argv) { return ocirt::cli::run_app(argc, argv); }
