// Placeholder until the parser lands.
#include "ocirt/spec/config.hpp"
