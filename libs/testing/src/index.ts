// Test support shared by the libraries' specs and the suites under test/. Libraries may import it from their specs;
// it imports no library and nothing from apps/ or test/, so neither direction makes a cycle.
export * from './wait-until';
