#include "HiveShapeRowSinks.h"

#include "LogShapeSink.h"
#include "LogTable.h"
#include "ShapeDefinition.h"

ShapeRowSinkFactory hiveShapeRowSinks()
{
    return [](const ShapeDefinition &definition) -> std::unique_ptr<ShapeRowSink> {
        if (LogTable::isNamedBy(definition.table))
            return std::make_unique<LogShapeSink>();
        return nullptr;
    };
}
