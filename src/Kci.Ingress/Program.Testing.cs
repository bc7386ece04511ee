/// <summary>Lets tests host the ingress in-process with WebApplicationFactory.</summary>
public partial class Program;
