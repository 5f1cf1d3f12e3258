// Compiled only to produce the precompiled Qt headers every test reuses (tests/CMakeLists.txt).
