global using Xunit;
global using OrleansKms;
