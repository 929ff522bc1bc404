# The Wayland protocols' client code, generated at build time by
# wayland-scanner from the XML the distribution ships, so it always matches
# the installed libwayland:
#   ext-idle-notify-v1      (wayland-protocols, staging)  KWin 5.27+, sway 1.8+
#   org_kde_kwin_idle       (plasma-wayland-protocols)    KWin, wlroots 0.15
#   org_kde_plasma_window_management (plasma-wayland-protocols) KWin
#   org_kde_kwin_fake_input (plasma-wayland-protocols)    only for a test tool
#   xdg-shell               (wayland-protocols, stable)   only for a test tool
# and from our own protocols/ where Debian ships none:
#   zwlr_foreign_toplevel_manager_v1 (written from the published interface)
#                                                         sway, Hyprland, labwc, river
#
# The generated private code is C. It goes into an object library of its own,
# without the project's warning flags: it is not our code to fix.

# At file scope: enable_language() cannot be called from a function.
enable_language(C)

find_program(STRETCH_WAYLAND_SCANNER NAMES wayland-scanner DOC "wayland-scanner, from libwayland-bin")
pkg_get_variable(_stretch_scanner_from_pc wayland-scanner wayland_scanner)
if(_stretch_scanner_from_pc AND NOT STRETCH_WAYLAND_SCANNER)
  set(STRETCH_WAYLAND_SCANNER ${_stretch_scanner_from_pc} CACHE FILEPATH "wayland-scanner" FORCE)
endif()
if(NOT STRETCH_WAYLAND_SCANNER)
  message(FATAL_ERROR "wayland-scanner not found: install libwayland-bin (Debian) or wayland-devel, "
                      "or pass -DSTRETCH_WAYLAND_SCANNER=/path/to/wayland-scanner")
endif()

pkg_get_variable(_stretch_wayland_protocols_dir wayland-protocols pkgdatadir)
if(NOT _stretch_wayland_protocols_dir)
  message(FATAL_ERROR "wayland-protocols not found by pkg-config: install wayland-protocols (1.27 or later, "
                      "for staging/ext-idle-notify)")
endif()
cmake_path(SET STRETCH_EXT_IDLE_NOTIFY_XML NORMALIZE
           "${_stretch_wayland_protocols_dir}/staging/ext-idle-notify/ext-idle-notify-v1.xml")
if(NOT EXISTS ${STRETCH_EXT_IDLE_NOTIFY_XML})
  message(FATAL_ERROR "${STRETCH_EXT_IDLE_NOTIFY_XML} not found: wayland-protocols is too old "
                      "(ext-idle-notify-v1 came with 1.27)")
endif()

# plasma-wayland-protocols ships a CMake config and no .pc file.
find_package(PlasmaWaylandProtocols CONFIG QUIET)
if(NOT PLASMA_WAYLAND_PROTOCOLS_DIR)
  set(PLASMA_WAYLAND_PROTOCOLS_DIR /usr/share/plasma-wayland-protocols)
endif()
set(STRETCH_KDE_IDLE_XML ${PLASMA_WAYLAND_PROTOCOLS_DIR}/idle.xml)
set(STRETCH_KDE_FAKE_INPUT_XML ${PLASMA_WAYLAND_PROTOCOLS_DIR}/fake-input.xml)
set(STRETCH_KDE_WINDOW_MANAGEMENT_XML ${PLASMA_WAYLAND_PROTOCOLS_DIR}/plasma-window-management.xml)
foreach(xml ${STRETCH_KDE_IDLE_XML} ${STRETCH_KDE_WINDOW_MANAGEMENT_XML})
  if(NOT EXISTS ${xml})
    message(FATAL_ERROR "${xml} not found: install plasma-wayland-protocols, "
                        "or pass -DPlasmaWaylandProtocols_DIR=<dir with PlasmaWaylandProtocolsConfig.cmake>")
  endif()
endforeach()
cmake_path(SET STRETCH_XDG_SHELL_XML NORMALIZE "${_stretch_wayland_protocols_dir}/stable/xdg-shell/xdg-shell.xml")

set(STRETCH_WLR_FOREIGN_TOPLEVEL_XML ${PROJECT_SOURCE_DIR}/protocols/wlr-foreign-toplevel-management-unstable-v1.xml)

set(STRETCH_WAYLAND_GENERATED ${CMAKE_BINARY_DIR}/generated/wayland)

# Appends to ${sources_var} the client header and private code for `xml`,
# named after `name` ("ext-idle-notify-v1" -> ext-idle-notify-v1-client.h).
function(stretch_wayland_scan sources_var name xml)
  set(header ${STRETCH_WAYLAND_GENERATED}/${name}-client.h)
  set(code ${STRETCH_WAYLAND_GENERATED}/${name}.c)
  add_custom_command(
    OUTPUT ${header} ${code}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${STRETCH_WAYLAND_GENERATED}
    COMMAND ${STRETCH_WAYLAND_SCANNER} client-header ${xml} ${header}
    COMMAND ${STRETCH_WAYLAND_SCANNER} private-code ${xml} ${code}
    DEPENDS ${xml}
    COMMENT "Generating the Wayland client code for ${name}"
    VERBATIM)
  set(${sources_var} ${${sources_var}} ${header} ${code} PARENT_SCOPE)
endfunction()

# Gives `target` the protocols above (their headers private to it), and, with
# the tests, builds the test tools tests/tools/wayland_fake_input and
# wayland_fullscreen_window into <build>/tests/tools.
function(stretch_wayland_protocols target)
  if(NOT TARGET stretch_wayland_idle_protocols)
    set(sources)
    stretch_wayland_scan(sources ext-idle-notify-v1 ${STRETCH_EXT_IDLE_NOTIFY_XML})
    stretch_wayland_scan(sources kde-idle ${STRETCH_KDE_IDLE_XML})
    stretch_wayland_scan(sources kde-plasma-window-management ${STRETCH_KDE_WINDOW_MANAGEMENT_XML})
    stretch_wayland_scan(sources wlr-foreign-toplevel-management-unstable-v1 ${STRETCH_WLR_FOREIGN_TOPLEVEL_XML})
    add_library(stretch_wayland_idle_protocols OBJECT ${sources})
    target_include_directories(stretch_wayland_idle_protocols INTERFACE ${STRETCH_WAYLAND_GENERATED})
    target_link_libraries(stretch_wayland_idle_protocols PUBLIC PkgConfig::WAYLAND)
  endif()
  target_link_libraries(${target} PRIVATE stretch_wayland_idle_protocols)

  if(STRETCH_TESTS AND NOT TARGET wayland_fake_input)
    set(sources)
    stretch_wayland_scan(sources kde-fake-input ${STRETCH_KDE_FAKE_INPUT_XML})
    set(tool ${PROJECT_SOURCE_DIR}/tests/tools/wayland_fake_input.c)
    add_executable(wayland_fake_input ${tool} ${sources})
    target_include_directories(wayland_fake_input PRIVATE ${STRETCH_WAYLAND_GENERATED})
    target_link_libraries(wayland_fake_input PRIVATE PkgConfig::WAYLAND)
    # The project's warnings for the tool's own file only: linking
    # stretch_warnings would put them on the generated file too.
    get_target_property(warnings stretch_warnings INTERFACE_COMPILE_OPTIONS)
    set_source_files_properties(${tool} PROPERTIES COMPILE_OPTIONS "${warnings}")
    set_target_properties(wayland_fake_input PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/tools)

    set(sources)
    stretch_wayland_scan(sources xdg-shell ${STRETCH_XDG_SHELL_XML})
    set(tool ${PROJECT_SOURCE_DIR}/tests/tools/wayland_fullscreen_window.c)
    add_executable(wayland_fullscreen_window ${tool} ${sources})
    target_include_directories(wayland_fullscreen_window PRIVATE ${STRETCH_WAYLAND_GENERATED})
    target_link_libraries(wayland_fullscreen_window PRIVATE PkgConfig::WAYLAND)
    set_source_files_properties(${tool} PROPERTIES COMPILE_OPTIONS "${warnings}")
    set_target_properties(wayland_fullscreen_window PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/tools)
  endif()
endfunction()
