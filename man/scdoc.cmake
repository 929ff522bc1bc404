# cmake -DSCDOC=... -DGZIP=... -DINPUT=page.scd -DOUTPUT=page -P scdoc.cmake
# Writes the man page OUTPUT and OUTPUT.gz (what is installed: Debian's man
# pages are compressed with gzip -9n, the -n leaving out the time stamp).
execute_process(COMMAND ${SCDOC} INPUT_FILE ${INPUT} OUTPUT_FILE ${OUTPUT}.new RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUTPUT}.new)
  message(FATAL_ERROR "scdoc failed on ${INPUT}: ${rc}")
endif()
file(RENAME ${OUTPUT}.new ${OUTPUT})
execute_process(COMMAND ${GZIP} -9nc INPUT_FILE ${OUTPUT} OUTPUT_FILE ${OUTPUT}.gz RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip failed on ${OUTPUT}: ${rc}")
endif()
