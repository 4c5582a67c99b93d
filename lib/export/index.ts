export { historyCsv, csvField, CSV_HEADER } from './csv';
