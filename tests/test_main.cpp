#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstring>
#include <iostream>

int main(int argc, char** argv) {
    // ctest runs each case by its name (doctest_discover_tests), and CMake splits a name at ';': such
    // a case would match nothing and "pass" without running. Refused here, so discovery fails the build.
    for (auto const& tc : doctest::detail::getRegisteredTests()) {
        if (std::strchr(tc.m_name, ';')) {
            std::cerr << tc.m_file.c_str() << ':' << tc.m_line << ": a test case's name may not contain ';': \""
                      << tc.m_name << "\"\n";
            return 1;
        }
    }
    return doctest::Context(argc, argv).run();
}
