#include "polylogue/app/cli.hpp"

int main(int argc, char** argv) {
    return polylogue::app::run_cli(argc, argv);
}
