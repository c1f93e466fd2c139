# The terminal menu (`posfleet-agent menu`) and its client for the daemon's
# local socket. Included from agent/CMakeLists.txt; paths are relative to agent/.
add_library(posfleet_agent_menu STATIC
  menu/menu.cc menu/update_screens.cc menu/device_screens.cc menu/strings.cc local/local_client.cc)
target_link_libraries(posfleet_agent_menu PUBLIC posfleet_core)

add_executable(agent_menu_test menu/menu_test.cc local/local_client_test.cc)
target_link_libraries(agent_menu_test PRIVATE posfleet_agent_menu GTest::gtest_main)
add_test(NAME agent_menu_test COMMAND agent_menu_test)
set_tests_properties(agent_menu_test PROPERTIES LABELS unit)
