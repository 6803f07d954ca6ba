/**
 * @file parallel.c
 * @brief Single-process or MPI execution of the CLI (see parallel.h).
 */
#define _GNU_SOURCE /* sched_getaffinity, CPU_ISSET */

#include "config.h"
#include "parallel.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef QM_HAVE_MPI
#include "quadmap_mpi.h"
#endif

/* The --info line on the vector ISA (the same in every build). */
static void print_isa(FILE *out)
{
    fprintf(out, "vector ISA    : %s (QUADMAP_ISA=scalar|sse2|avx2|avx512 to force; "
                 "same bits on each)\n", qm_vector_isa());
}

/* The CPUs the executor's threads may run on: the union of each OpenMP
 * thread's affinity (with OMP_PROC_BIND each thread is pinned to its own
 * place, so the main thread alone would show one core). */
static void thread_affinity(int threads, cpu_set_t *all)
{
    CPU_ZERO(all);
#ifdef _OPENMP
#pragma omp parallel num_threads(threads)
#endif
    {
        cpu_set_t mine;
        if (sched_getaffinity(0, sizeof mine, &mine) == 0) {
#ifdef _OPENMP
#pragma omp critical(cli_affinity)
#endif
            CPU_OR(all, all, &mine);
        }
    }
    (void)threads;
}

/* "0-3,8,10-11" */
static void cpu_list(const cpu_set_t *set, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int c = 0; c < CPU_SETSIZE && used < size; c++) {
        if (!CPU_ISSET(c, set))
            continue;
        int e = c;
        while (e + 1 < CPU_SETSIZE && CPU_ISSET(e + 1, set))
            e++;
        int len = e > c ? snprintf(buf + used, size - used, "%s%d-%d",
                                   used ? "," : "", c, e)
                        : snprintf(buf + used, size - used, "%s%d",
                                   used ? "," : "", c);
        if (len < 0)
            break;
        used += (size_t)len;
        c = e;
    }
}

static void local_line(const qm_exec *ex, int rank, char *buf, size_t size)
{
    char host[128] = "?", cpus[256];
    gethostname(host, sizeof host);
    host[sizeof host - 1] = '\0';
    const int threads = qm_exec_threads(ex);
    cpu_set_t set;
    thread_affinity(threads, &set);
    cpu_list(&set, cpus, sizeof cpus);
    const int nbound = CPU_COUNT(&set);
    snprintf(buf, size, "rank %d: host %s, pid %ld, %d threads on %d CPUs {%s}%s",
             rank, host, (long)getpid(), threads, nbound, cpus,
             nbound > 0 && threads > nbound ? "  <- more threads than CPUs: check binding"
                                            : "");
}

#ifdef QM_HAVE_MPI

static const char *level_name(int level)
{
    switch (level) {
    case MPI_THREAD_SINGLE: return "MPI_THREAD_SINGLE";
    case MPI_THREAD_FUNNELED: return "MPI_THREAD_FUNNELED";
    case MPI_THREAD_SERIALIZED: return "MPI_THREAD_SERIALIZED";
    case MPI_THREAD_MULTIPLE: return "MPI_THREAD_MULTIPLE";
    }
    return "unknown";
}

/* Started by mpirun/mpiexec/srun?  Their process managers export these.  A
 * plain `./integrate` then skips MPI_Init, whose singleton start-up costs
 * about half a second, and behaves exactly as the build without MPI.
 * QUADMAP_MPI=1 (or 0) forces the choice. */
static int launched_by_mpi(void)
{
    static const char *const vars[] = {
        "OMPI_COMM_WORLD_SIZE", /* Open MPI's mpirun */
        "PMIX_RANK",            /* PMIx: Open MPI 5, srun --mpi=pmix */
        "PMI_RANK", "PMI_SIZE", /* MPICH Hydra, srun --mpi=pmi2 */
        "MPI_LOCALNRANKS",      /* Intel MPI, MPICH */
        "SLURM_STEP_ID",        /* any srun job step */
    };
    const char *force = getenv("QUADMAP_MPI");
    if (force && *force)
        return strcmp(force, "0") != 0;
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i]))
            return 1;
    return 0;
}

int cli_par_init(cli_par *p, int *argc, char ***argv)
{
    memset(p, 0, sizeof *p);
    p->size = 1;
    p->thread_level = -1;
    if (!launched_by_mpi())
        return 0;
    MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &p->thread_level);
    p->mpi_initialized = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &p->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &p->size);
    if (p->rank != 0) {
        /* one report, one diagnostic: rank 0 speaks for everybody */
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            MPI_Abort(MPI_COMM_WORLD, 1);
    }
    p->mpi = 1;
    if (p->thread_level < MPI_THREAD_FUNNELED) {
        fprintf(stderr, "integrate: the MPI library provides only %s, "
                        "MPI_THREAD_FUNNELED is needed\n", level_name(p->thread_level));
        return 1;
    }
    return 0;
}

int cli_par_agree(cli_par *p, int code, int *who)
{
    if (!p->mpi) {
        if (who)
            *who = p->rank;
        return code;
    }
    int in[2] = {-code, p->rank}, out[2];
    /* MAXLOC would favour the highest rank on ties: MINLOC on -code */
    MPI_Allreduce(in, out, 1, MPI_2INT, MPI_MINLOC, MPI_COMM_WORLD);
    if (who)
        *who = out[1];
    return -out[0];
}

void cli_par_barrier(cli_par *p)
{
    if (p->mpi && p->size > 1)
        MPI_Barrier(MPI_COMM_WORLD);
}

int cli_par_exec_new(cli_par *p, qm_backend local, qm_exec **ex)
{
    /* one rank behaves exactly as the single-process program */
    if (!p->mpi || p->size == 1)
        return qm_exec_new(ex, local);
    return qm_exec_new_mpi(ex, MPI_COMM_WORLD, local);
}

const char *cli_par_backend(const cli_par *p, const qm_exec *ex)
{
    if (p->size > 1)
        return qm_exec_backend(ex) == QM_BACKEND_OPENMP ? "mpi+openmp" : "mpi+serial";
    return qm_backend_name(qm_exec_backend(ex));
}

void cli_par_info(cli_par *p, const qm_exec *ex, FILE *out)
{
    enum { LINE = 512 };
    char line[LINE], version[MPI_MAX_LIBRARY_VERSION_STRING];
    int vlen = 0;
    local_line(ex, p->rank, line, sizeof line);
    if (!p->mpi) {
        fprintf(out, "quadmap %s, integrate built with MPI, not started by an "
                     "MPI launcher (set QUADMAP_MPI=1 to force MPI_Init)\n",
                QM_VERSION_STRING);
        fprintf(out, "ranks         : 1\n");
        fprintf(out, "threads       : %d (%s backend)\n", qm_exec_threads(ex),
                qm_backend_name(qm_exec_backend(ex)));
        fprintf(out, "cores online  : %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
        print_isa(out);
        fprintf(out, "%s\n", line);
        return;
    }
    char *all = p->rank == 0 ? malloc((size_t)p->size * LINE) : NULL;
    MPI_Gather(line, LINE, MPI_CHAR, all, LINE, MPI_CHAR, 0, MPI_COMM_WORLD);
    if (p->rank != 0)
        return;
    MPI_Get_library_version(version, &vlen);
    char *nl = strchr(version, '\n');
    if (nl)
        *nl = '\0';
    fprintf(out, "quadmap %s, integrate with MPI\n", QM_VERSION_STRING);
    fprintf(out, "MPI library   : %s\n", version);
    fprintf(out, "thread level  : %s (MPI_THREAD_FUNNELED requested)\n",
            level_name(p->thread_level));
    fprintf(out, "ranks         : %d\n", p->size);
    fprintf(out, "threads/rank  : %d (%s backend)\n", qm_exec_threads(ex),
            qm_backend_name(qm_exec_backend(ex)));
    fprintf(out, "cores online  : %ld (on rank 0's host)\n", sysconf(_SC_NPROCESSORS_ONLN));
    print_isa(out);
    for (int r = 0; all && r < p->size; r++)
        fprintf(out, "%s\n", all + (size_t)r * LINE);
    free(all);
}

int cli_par_finalize(cli_par *p, int code)
{
    if (!p->mpi_initialized)
        return code;
    if (p->mpi)
        code = cli_par_agree(p, code, NULL);
    MPI_Finalize();
    return code;
}

#else /* !QM_HAVE_MPI */

int cli_par_init(cli_par *p, int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    memset(p, 0, sizeof *p);
    p->size = 1;
    p->thread_level = -1;
    return 0;
}

int cli_par_agree(cli_par *p, int code, int *who)
{
    if (who)
        *who = p->rank;
    return code;
}

void cli_par_barrier(cli_par *p) { (void)p; }

int cli_par_exec_new(cli_par *p, qm_backend local, qm_exec **ex)
{
    (void)p;
    return qm_exec_new(ex, local);
}

const char *cli_par_backend(const cli_par *p, const qm_exec *ex)
{
    (void)p;
    return qm_backend_name(qm_exec_backend(ex));
}

void cli_par_info(cli_par *p, const qm_exec *ex, FILE *out)
{
    char line[512];
    (void)p;
    local_line(ex, 0, line, sizeof line);
    fprintf(out, "quadmap %s, integrate without MPI\n", QM_VERSION_STRING);
    fprintf(out, "ranks         : 1 (built without MPI)\n");
    fprintf(out, "threads       : %d (%s backend)\n", qm_exec_threads(ex),
            qm_backend_name(qm_exec_backend(ex)));
    fprintf(out, "cores online  : %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
    print_isa(out);
    fprintf(out, "%s\n", line);
}

int cli_par_finalize(cli_par *p, int code)
{
    (void)p;
    return code;
}

#endif
