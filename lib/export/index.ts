export { historyCsvStream, csvField, CSV_HEADER, type CsvSeries } from './csv';
